import MiniStore

extension Planner {
    /// Plans and builds `stages` in order, each planned against the outputs of those before it;
    /// fresh stages are skipped unless named in `force`.
    public func build(_ stages: [any Stage], wait: Bool, force: Set<String> = [], quiet: Bool = false) throws -> [Runner.Result] {
        var plans: [String: StagePlan] = [:]
        var results: [Runner.Result] = []
        for stage in stages {
            let log = Log(prefix: stage.name, quiet: quiet)
            let runner = try Runner(store: store, wait: wait, log: log)
            let upstream = plans
            let plan = try plan(stage, upstream: upstream)
            if plan.status != .fresh || force.contains(stage.name) {
                for reason in plan.reasons { log.info(reason) }
            }
            let result = try runner.execute(plan, force: force.contains(stage.name)) {
                try self.plan(stage, upstream: upstream)
            }
            if result.outcome == .fresh { log.info("fresh (key \(result.cacheKey.prefix(12)))") }
            plans[stage.name] = StagePlan(stage: stage, parameters: plan.parameters, inputs: plan.inputs,
                                          externalPaths: plan.externalPaths, cacheKey: result.cacheKey,
                                          status: .fresh, reasons: [], outputs: result.outputs)
            results.append(result)
        }
        return results
    }
}
