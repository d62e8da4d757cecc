import MinillmCommands
import PipelineCommands

StageCommand<ShardProgram>.main()
