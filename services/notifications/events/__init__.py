"""What the notifications service reads: the private `<service>.notifications` topics. It publishes nothing."""
