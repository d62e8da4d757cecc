import Foundation
import Testing
import TestSupport

@Suite("End to end through minillm", .serialized) struct TrainResumeTests {
    @Test func killNineDuringTrainingResumesToTheSameModel() throws {
        let reference = TinyProject()
        let whole = try reference.minillm(["run"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let expected = try #require(TinyProject.outputs(whole)["train.model"])

        let project = TinyProject()
        var kills = 0
        for attempt in 0..<6 {
            let child = try project.start(["run"])
            // Wait until training has written at least one checkpoint (a few after the first kill).
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline,
                  (project.scalar("SELECT count(*) FROM checkpoints WHERE name = 'last' AND step > \(attempt * 5)")?.int ?? 0) == 0,
                  child.process.isRunning {
                usleep(20_000)
            }
            guard child.process.isRunning else { _ = child.wait(); break }
            usleep(UInt32.random(in: 0...150_000))
            child.kill()
            _ = child.wait()
            kills += 1
        }
        #expect(kills >= 2, "the run must be interrupted at least twice")
        let final = try project.minillm(["run"])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(final.stderr.contains("resuming from the checkpoint of step"))
        #expect(TinyProject.outputs(final)["train.model"] == expected, "resumed training must end bitwise identical")
        #expect(project.scalar("SELECT count(*) FROM runs WHERE stage = 'train' AND status = 'abandoned'")?.int ?? 0 >= 1)
        #expect(try project.minillm(["verify"]).status == 0)
    }

    @Test func exportWritesAModelDirectory() throws {
        let project = TinyProject(trainSteps: 20)
        #expect(try project.minillm(["run"]).status == 0)
        let out = project.dir.file("exported")
        let result = try project.minillm(["export", "train", out])
        #expect(result.status == 0, "\(result.stderr)")
        for name in ["model.safetensors", "config.json", "tokenizer.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name)")
        }
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/config.json"))) as? [String: Any]
        #expect(config?["vocab_size"] as? Int == 400)
        #expect(config?["d_model"] as? Int == 32)
        let refused = try project.minillm(["export", "deadbeef", out])
        #expect(refused.status == 3)
    }

    @Test func badTrainingParametersAreRefusedBeforeTraining() throws {
        let project = TinyProject()
        let text = try String(contentsOfFile: project.dir.file("pipeline/pipeline.json"), encoding: .utf8)
        project.dir.write("pipeline/pipeline.json", text.replacingOccurrences(of: "\"heads\": 2", with: "\"heads\": 3"))
        let result = try project.minillm(["run"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("refusing to train"), "\(result.stderr)")
        #expect(result.stderr.contains("heads"), "\(result.stderr)")
    }
}
