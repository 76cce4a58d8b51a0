module github.com/sockets-in-go/step-by-step/lesson04-select-poller

go 1.24.0
