/// A point quadtree over a 2-D embedding for the Barnes–Hut approximation of t-SNE's
/// repulsive forces (van der Maaten 2014, "Accelerating t-SNE using tree-based
/// algorithms", JMLR 15): a cell far enough away (side / distance < θ) acts as one point
/// of its mass at its centre of mass.
package struct QuadTree {
    package struct Node {
        var centre: SIMD2<Double>      // the cell's geometric centre
        var half: Double               // half its side
        var mass = 0.0
        var centreOfMass = SIMD2<Double>.zero
        var point: Int = -1            // a leaf's single point, −1 otherwise
        var children: Int = -1         // index of the first of four children, −1 for a leaf
    }

    package var nodes: [Node] = []
    package let points: [SIMD2<Double>]

    /// - Complexity: O(N log N) for spread-out points.
    package init(_ points: [SIMD2<Double>]) {
        self.points = points
        var low = SIMD2<Double>(repeating: .infinity), high = SIMD2<Double>(repeating: -.infinity)
        for p in points {
            low = pointwiseMin(low, p)
            high = pointwiseMax(high, p)
        }
        let centre = (low + high) / 2
        let half = max((high - low).max() / 2, 1e-9) * (1 + 1e-9)
        nodes.append(Node(centre: centre, half: half))
        for index in points.indices { insert(index, node: 0, depth: 0) }
    }

    private mutating func insert(_ index: Int, node: Int, depth: Int) {
        let p = points[index]
        // Update this cell's mass and centre of mass.
        let mass = nodes[node].mass + 1
        nodes[node].centreOfMass = (nodes[node].centreOfMass * nodes[node].mass + p) / mass
        nodes[node].mass = mass
        if nodes[node].children < 0 {
            if nodes[node].point < 0 && mass == 1 {
                nodes[node].point = index
                return
            }
            // Coincident points (or too deep): keep them together in this leaf.
            if depth > 48 { return }
            let existing = nodes[node].point
            nodes[node].point = -1
            subdivide(node)
            if existing >= 0 { insertIntoChild(existing, node: node, depth: depth) }
        }
        insertIntoChild(index, node: node, depth: depth)
    }

    private mutating func insertIntoChild(_ index: Int, node: Int, depth: Int) {
        let p = points[index], c = nodes[node].centre
        let quadrant = (p.x >= c.x ? 1 : 0) + (p.y >= c.y ? 2 : 0)
        insert(index, node: nodes[node].children + quadrant, depth: depth + 1)
    }

    private mutating func subdivide(_ node: Int) {
        let c = nodes[node].centre, h = nodes[node].half / 2
        nodes[node].children = nodes.count
        for quadrant in 0..<4 {
            let offset = SIMD2<Double>(quadrant & 1 == 1 ? h : -h, quadrant & 2 == 2 ? h : -h)
            nodes.append(Node(centre: c + offset, half: h))
        }
    }

    /// Σ_j w_ij² (y_i − y_j) and Σ_j w_ij over all other points, approximated, with
    /// w = (1 + ‖y_i − y_j‖²)⁻¹.
    package func repulsion(on y: SIMD2<Double>, theta: Double) -> (force: SIMD2<Double>, z: Double) {
        var force = SIMD2<Double>.zero, z = 0.0
        var stack = [0]
        while let node = stack.popLast() {
            let cell = nodes[node]
            guard cell.mass > 0 else { continue }
            let diff = y - cell.centreOfMass
            let distance2 = (diff * diff).sum()
            let isLeaf = cell.children < 0
            if isLeaf || (2 * cell.half) * (2 * cell.half) < theta * theta * distance2 {
                if isLeaf && distance2 == 0 && cell.mass <= 1 { continue }    // the point itself
                // A leaf holding y itself among coincident points counts the others only.
                var mass = cell.mass
                if isLeaf && distance2 == 0 { mass -= 1 }
                let w = 1 / (1 + distance2)
                z += mass * w
                force += mass * w * w * diff
            } else {
                for child in 0..<4 { stack.append(cell.children + child) }
            }
        }
        return (force, z)
    }
}
