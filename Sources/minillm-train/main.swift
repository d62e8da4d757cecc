import MinillmCommands
import PipelineCommands

StageCommand<TrainProgram>.main()
