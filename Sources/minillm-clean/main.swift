import MiniPipeline
import MiniStages

Pipeline.registry = .standard
StageCommand.stageName = "clean"
StageCommand.main()
