module example.com/stackgrow

go 1.15
