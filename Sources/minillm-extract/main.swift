import MinillmCommands
import PipelineCommands

StageCommand<ExtractProgram>.main()
