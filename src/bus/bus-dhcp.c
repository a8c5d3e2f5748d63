/* placeholder, being written by the bus helper */
#include "config.h"
