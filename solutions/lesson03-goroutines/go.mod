module github.com/sockets-in-go/step-by-step/solutions/lesson03-goroutines

go 1.24.0
