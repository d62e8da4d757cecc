import MiniPipeline
import MiniStages

Pipeline.registry = .standard
StageCommand.stageName = "shard"
StageCommand.main()
