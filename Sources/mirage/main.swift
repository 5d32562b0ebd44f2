import MirageCLI

Mirage.main()
