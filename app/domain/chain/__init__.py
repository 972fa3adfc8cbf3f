"""Chain writes: one signed transaction per intent, stored before it is broadcast."""
