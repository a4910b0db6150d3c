#include "kde_kernels.h"
#include "conv_kernels.h"
#include "binning_kernels.h"
#include "activation_kernels.h"
