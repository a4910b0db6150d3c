import Foundation
import ModelImport
import Testing
import TestSupport

/// A PyTorch file given where a model is expected: one line that says what it is and how
/// to export the model to ONNX, exit 2, for every way torch saves (Fixtures/pytorch/).
@Suite("Bring your own model: PyTorch files are named, not misread")
struct PyTorchFileTests {
    @Test(arguments: ["state_dict.pt", "module.pth", "legacy.pt", "scripted.pt"])
    func pyTorchFilesSayHowToExport(_ name: String) throws {
        let path = TestSupport.root.appendingPathComponent("Tests/EndToEndTests/Fixtures/pytorch/\(name)").path
        #expect {
            _ = try ModelImporter.load(path)
        } throws: { error in
            guard let error = error as? ModelImportError else { return false }
            return error.reason.contains("PyTorch") && error.reason.contains("torch.onnx.export") && !error.reason.contains("Keras 3")
        }
        let result = try TestSupport.run(TestSupport.product("infoplane"), ["record", path, "--data", TestSupport.dataFile("var_u.mat")])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("torch.onnx.export"), "\(result.stderr)")
    }
}
