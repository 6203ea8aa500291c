"""Pure conflict engines over volumes and tracks; imports `sharedsky.geo`, nothing else of ours."""
