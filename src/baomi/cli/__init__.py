"""The command line: thin commands that parse input, call one engine or service function, render."""
