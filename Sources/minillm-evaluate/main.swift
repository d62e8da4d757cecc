import MiniPipeline
import MiniStages

Pipeline.registry = .standard
StageCommand.stageName = "evaluate"
StageCommand.main()
