/* What a case-insensitive file system finds for <mapicode.h>: MAPICode.h. */
#include "MAPICode.h"
