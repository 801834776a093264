#include "bbbsim.h"
int main(void) { return 0; }
