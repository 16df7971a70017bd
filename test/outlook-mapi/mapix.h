/* What a case-insensitive file system finds for <mapix.h>: MAPIX.h. */
#include "MAPIX.h"
