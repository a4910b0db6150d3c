#ifndef INFOPLANE_NEIGHBOUR_KERNELS_H
#define INFOPLANE_NEIGHBOUR_KERNELS_H

/// The squared distances from `query` [d] to the `size` points of a k-d tree leaf
/// (NeighbourTree+Search.swift), stored coordinate by coordinate (`columns[c · size + j]`):
/// out[j] = Σ_c (columns[c·size + j] − query[c])², each sum in float, in the order of c,
/// without fused multiply-adds: the bits of the exhaustive scan's sums (NeighbourScan),
/// on the AVX2 path (eight points at a time, when the processor has it and `wide` is
/// nonzero) and the scalar one alike. Leaves of 16 points, the tree's size, keep their
/// sums in registers.
void ip_leaf_distances(int wide, const float *columns, int size, int d, const float *query, float *out);

#endif
