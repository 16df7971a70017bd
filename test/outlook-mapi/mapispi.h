/* What a case-insensitive file system finds for <mapispi.h>: MAPISPI.h. */
#include "MAPISPI.h"
