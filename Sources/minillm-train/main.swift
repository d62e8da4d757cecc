import MiniPipeline
import MiniStages

Pipeline.registry = .standard
StageCommand.stageName = "train"
StageCommand.main()
