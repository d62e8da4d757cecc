import MinillmCommands

MinillmCommand.main()
