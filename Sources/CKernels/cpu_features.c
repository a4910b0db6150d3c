#include "cpu_features.h"

int ip_cpu_has_avx2_fma(void) {
#if IP_X86_WIDE
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int ip_cpu_has_f16c(void) {
#if IP_X86_WIDE
    __builtin_cpu_init();
    return __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx");
#else
    return 0;
#endif
}
