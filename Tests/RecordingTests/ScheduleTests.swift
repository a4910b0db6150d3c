import Recording
import Testing

@Suite("Logging schedules")
struct ScheduleTests {
    @Test func theTwoReferenceSchedules() {
        let idnns = LoggingSchedule.logSpaced(count: 1800).epochs(total: 10000)
        #expect(idnns.count == 964)
        #expect(Array(idnns.prefix(10)) == Array(0..<10))
        #expect(Array(idnns.suffix(5)) == [9796, 9846, 9897, 9947, 9998])
        let ibsgd = LoggingSchedule.ibsgd.epochs(total: 10000)
        #expect(ibsgd.count == 211)
        #expect(ibsgd.contains(95) && !ibsgd.contains(96) && ibsgd.contains(1980) && ibsgd.contains(9900))
        #expect(LoggingSchedule.everyEpoch.epochs(total: 3) == [0, 1, 2])
        #expect(LoggingSchedule.explicit([5, 1, 1, 99]).epochs(total: 10) == [1, 5])
    }

    @Test func timingConventions() {
        #expect(LogTiming.before.completedEpochs(forLogged: 0) == 0)
        #expect(LogTiming.after.completedEpochs(forLogged: 0) == 1)
        #expect(LogTiming.before.loggedEpoch(forCompleted: 4) == 4)
        #expect(LogTiming.after.loggedEpoch(forCompleted: 4) == 3)
        #expect(LogTiming.after.loggedEpoch(forCompleted: 0) == nil)
    }
}
