"""Pure conflict engines over volumes and tracks; may import `sharedsky.geo`, nothing else of ours."""
