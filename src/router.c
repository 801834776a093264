/* placeholder */
#include "err.h"
