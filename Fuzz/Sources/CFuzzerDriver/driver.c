// Nothing to compile: the target exists for its header, which declares libFuzzer's driver.
#include "CFuzzerDriver.h"
