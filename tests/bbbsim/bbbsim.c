#include "bbbsim.h"
