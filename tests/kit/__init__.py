"""What the tests and the benchmarks share: the fake OpenAI server, valid plans, campaigns with a history,
processes started and stopped, the app and its clients as fixtures, and helpers that build or check what
several test modules need. Test modules import from here, never from each other."""
