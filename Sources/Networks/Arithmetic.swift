/// How a model computes the products of its dense layers. Every trained number's bits
/// depend on it, so a run keeps the one it started with (`model.arithmetic` in its
/// stored configuration). A configuration file that names none gets `fused` written
/// into its effective configuration; a stored configuration without it (runs recorded
/// before `fused` became the default) means `blas`.
public enum Arithmetic: String, Sendable, Codable, CaseIterable {
    /// OpenBLAS `sgemm` for every product. Its kernels sum in an order that depends on the
    /// processor's kernel and on the block an element falls in, so the bits are the same
    /// run to run on one machine, not across machines. The default before `fused`, and
    /// what a stored configuration without `model.arithmetic` means.
    case blas
    /// infoplane's own kernels for dense layers of at most 64 units in and out
    /// (`CKernels/dense_kernels.c`), `sgemm` for wider ones: every output element is one
    /// chain of fused multiply-adds in index order, so its bits depend only on the
    /// operands, the same on every x86-64 processor and for any batch size; their tanh is
    /// `ip_tanh_fused` (the same formula with fused multiply-adds). A model of such
    /// layers alone (linear, tanh or ReLU) trains a whole minibatch step in one C call
    /// (`Trainer+FusedSteps`). About 2× faster per epoch for the narrow networks of the
    /// information-plane studies, whose products are too small for `sgemm`'s packing
    /// and dispatch to pay off. The default for configuration files.
    case fused
}
