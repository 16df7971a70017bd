/* What a case-insensitive file system finds for <mapidefs.h>: MAPIDefS.h. */
#include "MAPIDefS.h"
