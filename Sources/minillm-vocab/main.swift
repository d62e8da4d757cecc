import MiniPipeline
import MiniStages

Pipeline.registry = .standard
StageCommand.stageName = "vocab"
StageCommand.main()
