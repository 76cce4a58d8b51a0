module github.com/sockets-in-go/step-by-step/solutions/lesson04-select-poller

go 1.24.0
