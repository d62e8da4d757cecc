import MiniPipeline
import MiniStages

Pipeline.registry = .standard
StageCommand.stageName = "extract"
StageCommand.main()
