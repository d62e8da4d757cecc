import MiniPipeline
import MiniStages

Pipeline.registry = .standard
DriverCommand.main()
