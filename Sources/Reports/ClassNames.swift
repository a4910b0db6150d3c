/// Names of the classes of known data sets, for figures and reports.
package enum ClassNames {
    /// Fashion-MNIST's ten (Xiao, Rasul & Vollgraf 2017), in label order.
    package static let fashionMNIST = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The names for a run's `/dataset@name` and class count: Fashion-MNIST's, or
    /// "class k" for data sets without names (var_u's two classes, MNIST's digits).
    package static func of(dataset: String, count: Int) -> [String] {
        if dataset.lowercased().contains("fashion"), count == fashionMNIST.count { return fashionMNIST }
        return (0..<count).map { "class \($0)" }
    }
}
