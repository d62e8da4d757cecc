import Synchronization
import Testing
@testable import TensorKernels

@Suite struct WorkerPoolTests {
    @Test(arguments: [1, 2, 4])
    func everyTaskRunsExactlyOnceOnAValidWorker(threads: Int) {
        let pool = WorkerPool(threads: threads)
        for count in [0, 1, 3, 1000] {
            let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
            hits.initialize(repeating: 0, count: max(count, 1))
            defer { hits.deallocate() }
            let badWorker = Atomic<Bool>(false)
            pool.run(count) { task, worker in
                hits[task] += 1
                if worker < 0 || worker >= threads { badWorker.store(true, ordering: .relaxed) }
            }
            #expect((0..<count).allSatisfy { hits[$0] == 1 }, "\(count) tasks on \(threads) threads")
            let sawBadWorker = badWorker.load(ordering: .relaxed)
            #expect(!sawBadWorker)
        }
    }

    @Test func manyShortDispatchesAfterSleepingWorkersAllComplete() {
        let pool = WorkerPool(threads: 3, spinIterations: 10)
        let total = Atomic<Int>(0)
        for round in 0..<2_000 {
            pool.run(round % 5 + 1) { _, _ in total.wrappingAdd(1, ordering: .relaxed) }
        }
        let ran = total.load(ordering: .relaxed)
        #expect(ran == (0..<2_000).reduce(0) { $0 + $1 % 5 + 1 })
    }
}
