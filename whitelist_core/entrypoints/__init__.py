"""Where the world comes in: the FC invocation, the HTTP trigger and its webhook, event
parsing, the command line, saved plan files, the text rendering of results, and the
wiring of the real cloud adapters (the one place besides the CLI that imports ``aliyun``).
"""
