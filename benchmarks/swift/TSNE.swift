import Attribution
import Datasets
import Embedding
import Experiments
import Foundation
import Information
import Networks
import Recording
import Tensor

func tsneBenchmark() throws {
    print("== t-SNE of the first 1000 Fashion-MNIST test images (784 pixels), openTSNE's defaults")
    let test = try DatasetLoaders.mnistFolder("/usr/share/datasets/fashion-mnist", split: .test)
    let x = test.inputs.rows(0..<1000)
    let data = Tensor(shape: [1000, x.rowSize], scalars: x.scalars)
    for (name, limit) in [("exact gradient", 2500), ("Barnes–Hut, θ = 0.5", 0)] {
        var embedding: TSNE.Embedding?
        let time = try seconds { embedding = try TSNE(exactLimit: limit).embed(data) }
        let points = embedding?.points ?? []
        print(String(format: "%@: %.2f s, KL %.3f, trustworthiness(10) %.4f, 10-NN preservation %.4f", name, time, embedding?.klDivergence ?? .nan,
                     EmbeddingQuality.trustworthiness(data: data, embedding: points, k: 10),
                     EmbeddingQuality.neighbourPreservation(data: data, embedding: points, k: 10)))
    }
    print("   openTSNE 1.0 (Barnes–Hut) on the same images: trustworthiness 0.9829, preservation 0.5393 (Tests/ExplanationsTests/Fixtures)")
}

