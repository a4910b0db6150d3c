#ifndef INFOPLANE_CONV_KERNELS_H
#define INFOPLANE_CONV_KERNELS_H

/// Direct stride-1 convolutions of one NHWC image for Conv2D (Networks/DirectConvolution.swift)
/// when the output channels are a multiple of 8 up to 64 and the input channels at most
/// 64: no im2col columns and no matrix packing, the output channels in vector registers.
/// AVX2 and FMA when the processor has them and `wide` is nonzero, else SSE2 (results
/// differ in the last bits; the lab passes 1, the tests compare both).

/// Whether ip_conv_* handle `cout` output and `cin` input channels.
int ip_conv_supported(int cin, int cout);

/// y[oy, ox, co] = (bias ? bias[co] : 0) + Σ_{ky,kx,ci} xpad[oy + ky, ox + kx, ci] · kernel[ky, kx, ci, co]
/// for the zero-padded image `xpad` [ph, pw, cin]; y is [oh, ow, cout].
void ip_conv_forward(int wide, const float *xpad, int pw, int cin, const float *kernel, const float *bias, int kh, int kw, int cout,
                     int oh, int ow, float *y);

/// The transposed convolution: dxpad[oy + ky, ox + kx, ci] += Σ_co dz[oy, ox, co] · kernelT[ky, kx, co, ci],
/// into the padded input gradient dxpad [ph, pw, cin] (zeroed by the caller); kernelT is the
/// kernel with its last two axes swapped.
void ip_conv_transposed(int wide, const float *dz, int oh, int ow, int cout, const float *kernelT, int kh, int kw, int cin, int pw,
                        float *dxpad);

/// One tap's rows of the kernel gradient: dk[ci, co] = Σ_{b,oy,ox} xpad[b, oy + ky, ox + kx, ci] · dz[b, oy, ox, co]
/// over `batch` images (xpad [batch, ph, pw, cin], dz [batch, oh, ow, cout]); each image's
/// sum in float, the images' sums in double. dk is [cin, cout].
void ip_conv_kernel_gradient(int wide, const float *xpad, int batch, int ph, int pw, int cin, const float *dz, int oh, int ow, int cout,
                             int ky, int kx, float *dk);

#endif
