import Dispatch
import Foundation
import HDF5
import Networks
import Recording
import Synchronization
import Tensor
import Testing
import TestSupport

struct WriteFailed: Error, Equatable {
    var index: Int
}

@Suite("Background writes")
struct BackgroundWriterTests {
    /// Writes run in submission order, all of them before `drain` returns.
    @Test func runsInOrderAndDrains() throws {
        let log = Mutex<[Int]>([])
        let writer = BackgroundWriter(label: "test", depth: 2)
        for i in 0..<200 { try writer.submit { log.withLock { $0.append(i) } } }
        try writer.drain()
        #expect(log.withLock { $0 } == Array(0..<200))
    }

    /// The first failing write stops the ones after it; its error comes back from the
    /// next submit and from drain.
    @Test func theFirstErrorStopsLaterWritesAndIsThrown() throws {
        let log = Mutex<[Int]>([])
        let writer = BackgroundWriter(label: "test", depth: 2)
        for i in 0..<5 {
            // A submit after the failure has happened throws it already.
            try? writer.submit {
                if i == 2 { throw WriteFailed(index: i) }
                log.withLock { $0.append(i) }
            }
        }
        #expect(throws: WriteFailed(index: 2)) { try writer.drain() }
        #expect(throws: WriteFailed(index: 2)) { try writer.submit { log.withLock { $0.append(99) } } }
        #expect(log.withLock { $0 } == [0, 1])
    }

    /// With depth 2, a third write waits in `submit` until one of the first two is done.
    @Test func aFullQueueMakesTheProducerWait() throws {
        let writer = BackgroundWriter(label: "test", depth: 2)
        let gate = DispatchSemaphore(value: 0)
        try writer.submit { gate.wait() }
        try writer.submit {}
        let third = Mutex(false)
        let submitted = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? writer.submit {}
            third.withLock { $0 = true }
            submitted.signal()
        }
        // The producer is still blocked: both slots are taken while the gate is shut.
        #expect(submitted.wait(timeout: .now() + .milliseconds(200)) == .timedOut)
        #expect(third.withLock { $0 } == false)
        gate.signal()
        #expect(submitted.wait(timeout: .now() + .seconds(30)) == .success)
        try writer.drain()
    }

    /// Depth 0 writes in the caller, and a failure is thrown at once.
    @Test func depthZeroIsSynchronous() throws {
        let writer = BackgroundWriter(label: "test", depth: 0)
        let ran = Mutex(false)
        try writer.submit { ran.withLock { $0 = true } }
        #expect(ran.withLock { $0 })
        #expect(throws: WriteFailed(index: 0)) { try writer.submit { throw WriteFailed(index: 0) } }
    }

    /// A run recorded with background writes is byte for byte the run recorded with
    /// synchronous ones (but for the `created` time stamp), float32 and float16.
    @Test(arguments: [ActivationStorage.float32, .float16])
    func backgroundWritesLeaveTheSameBytes(_ storage: ActivationStorage) throws {
        let rows = Array(stride(from: 0, to: 4096, by: 8))
        let folder = TestSupport.temporaryDirectory("background")
        var files: [Data] = []
        for depth in [0, 2] {
            let s = try RecorderTests.setup(sampleRows: rows)
            let path = folder.appendingPathComponent("run-\(depth).h5").path
            let epochs = 30
            let recorder = try RunRecorder(path: path, overwrite: false, metadata: RecorderTests.metadata(epochs: epochs),
                                           model: s.model, samples: s.samples, optimizer: Adam(learningRate: 4e-4),
                                           options: RecorderOptions(schedule: .logSpaced(count: 12), storage: storage,
                                                                    checkpointInterval: 7, writeQueueDepth: depth))
            var trainer = Trainer(model: s.model, optimizer: Adam(learningRate: 4e-4))
            try trainer.train(s.examples, trainRows: s.split.train, testRows: s.split.test,
                              schedule: TrainingSchedule(epochs: epochs, batchSize: 256, seed: 2), observers: [recorder])
            try recorder.finish(completedEpochs: trainer.completedEpochs)
            let created = try H5File.open(path).stringAttribute("created")
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            // Blank the time stamp, wherever HDF5 put it.
            let stamp = Data(created.utf8)
            #expect(stamp.count > 10)
            if let range = bytes.range(of: stamp) { bytes.replaceSubrange(range, with: Data(count: stamp.count)) }
            files.append(bytes)
        }
        #expect(files[0].count == files[1].count)
        #expect(files[0] == files[1])
    }
}
