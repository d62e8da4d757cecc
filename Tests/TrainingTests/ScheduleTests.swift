import Foundation
import Testing
@testable import Training

@Suite struct ScheduleTests {
    @Test func warmupIsLinearFromZero() {
        let s = LearningRateSchedule(peak: 3e-4, warmupSteps: 100, totalSteps: 1000, decay: .cosine)
        #expect(s.rate(at: 0) == 3e-4 / 100)
        #expect(abs(s.rate(at: 49) - 3e-4 * 0.5) < 1e-15)
        #expect(s.rate(at: 99) == 3e-4)
    }

    @Test func cosineDecayMatchesTheFormulaAtChosenSteps() {
        let s = LearningRateSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110, decay: .cosine, minRatio: 0.1)
        // progress = (step - 10) / 100; lr = 1e-4 + 9e-4 · ½(1 + cos(π·progress))
        #expect(abs(s.rate(at: 10) - 1e-3) < 1e-15)
        #expect(abs(s.rate(at: 60) - (1e-4 + 9e-4 * 0.5)) < 1e-15)
        #expect(abs(s.rate(at: 35) - (1e-4 + 9e-4 * 0.5 * (1 + cos(Double.pi * 0.25)))) < 1e-15)
        #expect(abs(s.rate(at: 110) - 1e-4) < 1e-15)
        #expect(abs(s.rate(at: 500) - 1e-4) < 1e-15)
    }

    @Test func linearAndConstantDecay() {
        let linear = LearningRateSchedule(peak: 2.0, warmupSteps: 0, totalSteps: 100, decay: .linear, minRatio: 0)
        #expect(linear.rate(at: 0) == 2.0)
        #expect(linear.rate(at: 25) == 1.5)
        #expect(linear.rate(at: 100) == 0)
        let constant = LearningRateSchedule(peak: 2.0, warmupSteps: 5, totalSteps: 100, decay: .constant)
        #expect(constant.rate(at: 50) == 2.0)
    }

    /// Warmup, the peak until the last 40 % of the steps, then a straight line down to the floor.
    @Test func warmupStableDecay() {
        let s = LearningRateSchedule(peak: 1.0, warmupSteps: 10, totalSteps: 100, decay: .wsd, minRatio: 0.1,
                                     cooldownFraction: 0.4)
        #expect(s.rate(at: 4) == 0.5)
        #expect(s.rate(at: 10) == 1 && s.rate(at: 59) == 1)
        #expect(abs(s.rate(at: 60) - (1 - 0.9 / 40)) < 1e-12)
        #expect(abs(s.rate(at: 79) - (1 - 0.9 * 20 / 40)) < 1e-12)
        #expect(abs(s.rate(at: 99) - 0.1) < 1e-12 && abs(s.rate(at: 300) - 0.1) < 1e-12)
        let rates = (0..<100).map(s.rate(at:))
        #expect(zip(rates.dropFirst(60), rates.dropFirst(61)).allSatisfy { $0 > $1 })
        // A cool-down longer than what follows warmup starts right after it.
        let short = LearningRateSchedule(peak: 1.0, warmupSteps: 8, totalSteps: 10, decay: .wsd, minRatio: 0, cooldownFraction: 1)
        #expect(short.rate(at: 7) == 1 && short.rate(at: 8) == 0.5 && short.rate(at: 9) == 0)
    }

    @Test func earlyStoppingWaitsForPatience() {
        var stopper = EarlyStopping(patience: 2, minDelta: 0.01)
        #expect(stopper.observe(validationLoss: 5.0, step: 100) == .improved)
        #expect(stopper.observe(validationLoss: 4.995, step: 200) == .noImprovement)
        #expect(stopper.observe(validationLoss: 4.0, step: 300) == .improved)
        #expect(stopper.observe(validationLoss: 4.1, step: 400) == .noImprovement)
        #expect(stopper.observe(validationLoss: 4.0, step: 500) == .stop)
        #expect(stopper.bestStep == 300)
        #expect(stopper.bestLoss == 4.0)
    }
}
