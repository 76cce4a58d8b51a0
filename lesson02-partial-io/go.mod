module github.com/sockets-in-go/step-by-step/lesson02-partial-io

go 1.24.0
