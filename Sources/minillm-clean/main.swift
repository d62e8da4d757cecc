import MinillmCommands
import PipelineCommands

StageCommand<CleanProgram>.main()
