module github.com/sockets-in-go/step-by-step/tools

go 1.24.0
