/* What a case-insensitive file system finds for <mapiguid.h>: MAPIGuid.h. */
#include "MAPIGuid.h"
