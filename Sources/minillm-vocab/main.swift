import MinillmCommands
import PipelineCommands

StageCommand<VocabProgram>.main()
