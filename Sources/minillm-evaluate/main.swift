import MinillmCommands
import PipelineCommands

StageCommand<EvaluateProgram>.main()
