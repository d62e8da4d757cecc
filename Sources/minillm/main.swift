import MiniPipeline
import MiniStages

Pipeline.registry = .standard
MinillmCommand.main()
